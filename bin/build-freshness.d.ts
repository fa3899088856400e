/** Whether the compiled file `entry` (under <root>/dist) is newer than every file of src/ and plugins/. */
export function compiledIsCurrent(root: string, entry: string): boolean;
