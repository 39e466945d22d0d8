/**
 * Contacts, people and the directory: the user's Outlook contacts (list,
 * find, read, create, update, delete), the people most relevant to them, and
 * users of their organization's directory.
 */
import { searchPeople, getUser, searchUsers } from "./directory.ts";
import { getContact, getContacts } from "./read.ts";
import { createContact, deleteContact, updateContact } from "./write.ts";

export const contactTools = [
  getContacts,
  getContact,
  createContact,
  updateContact,
  deleteContact,
  searchPeople,
  getUser,
  searchUsers,
];
