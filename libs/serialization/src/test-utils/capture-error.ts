/** The error `action` throws, for assertions on its fields; fails the test if it throws nothing. */
export function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}
