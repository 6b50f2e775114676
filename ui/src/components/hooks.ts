// Preact glue for the store: re-render on change. Deliberately not here: the state (store.ts).

import { useEffect, useState } from "preact/hooks";
import { getState, listen, type State } from "../lib/store";

/** The store's state, re-rendering on every change (also one that lands before the effect runs). */
export function useStore(): State {
  const [state, setState] = useState(getState);
  useEffect(() => {
    const update = () => setState(getState());
    const stop = listen(update);
    update();
    return stop;
  }, []);
  return state;
}
