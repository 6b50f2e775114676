// A short message over the screen (a refused card, a scale message, a failed command), gone
// after a few seconds. Deliberately not here: deciding what the message is (store.ts).

import { useEffect } from "preact/hooks";
import type { Copy } from "../copy";
import { dismissToast, type Toast as ToastState } from "../lib/store";

/** How long a toast stays, ms. */
export const TOAST_MS = 6000;

export function Toast(props: { copy: Copy; toast: ToastState | null }) {
  const { copy, toast } = props;
  useEffect(() => {
    if (!toast) return;
    const id = toast.id;
    const t = setTimeout(() => dismissToast(id), TOAST_MS);
    return () => clearTimeout(t);
  }, [toast?.id]);
  if (!toast) return null;
  const text = "notice" in toast ? copy.notice(toast.notice.code, toast.notice.detail) : copy.commandError(toast.commandError);
  return (
    <div class="toast" role="alert" data-testid="toast">
      <span class="toast-icon" aria-hidden="true">
        !
      </span>
      <span>{text}</span>
    </div>
  );
}
