import { fileURLToPath } from 'node:url';

/** The checkout these tests belong to (they copy it, never change it). */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
