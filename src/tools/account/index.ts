/** The account itself: who is signed in, signing out, and the profile resource. */
import { authenticate } from "./read.ts";
import { profileResource } from "./resources.ts";
import { logout } from "./write.ts";

export const accountTools = [authenticate, logout];

export const accountResources = [profileResource];
