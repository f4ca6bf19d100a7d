/**
 * Thrown by the planner for a scoped definition called outside any scope (the module's `scope()`
 * returned undefined or threw): reads and writes then run uncached, evictions reach every scope.
 * Internal: callers catch it, it never reaches the application.
 */
export class OutsideScope extends Error {
  constructor(readonly where: string) {
    super(`${where} ran outside any cache scope`);
  }
}

/** True for the planner's outside-scope signal. @example if (isOutsideScope(error)) return next(); */
export function isOutsideScope(error: unknown): error is OutsideScope {
  return error instanceof OutsideScope;
}
