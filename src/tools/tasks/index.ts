/** Microsoft To Do: the workload's tools, in the order clients list them. */
import { listTaskLists, listTasks } from "./read.ts";
import { createTask, deleteTask, updateTask } from "./write.ts";

export const taskTools = [listTaskLists, listTasks, createTask, updateTask, deleteTask];
