// Preact glue for the store: re-render on change. Deliberately not here: the state (store.ts).

import { useEffect, useState } from "preact/hooks";
import { getState, listen, type State } from "../lib/store";

/** The store's state, re-rendering on every change. */
export function useStore(): State {
  const [, setTick] = useState(0);
  useEffect(() => listen(() => setTick((n) => n + 1)), []);
  return getState();
}
