/** Ends a command-line tool when its work settles: exit 0, or print the error and exit 1 (open sockets never keep it alive). */
export function exitWhenDone(work: Promise<unknown>): void {
  work.then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
