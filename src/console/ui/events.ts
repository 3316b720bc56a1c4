/**
 * An event handler for an async action. Preact ignores what a handler returns, so a rejected promise would
 * go unnoticed: the actions catch what they can show on screen, and anything else is reported here.
 */
export const onEvent =
  <E>(action: (e: E) => Promise<void>) =>
  (e: E): void => {
    action(e).catch((err: unknown) => console.error('console action failed', err));
  };
