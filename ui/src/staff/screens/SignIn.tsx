// The staff sign-in form: login id and password/PIN (never shown), a large numeric keypad for
// PINs, errors that never say whether the account exists, the lockout with its minutes, and
// 戻る/Close back to the participant screen. Deliberately not here: checking anything (the runtime).

import { useRef, useState } from "preact/hooks";
import { Bi, c, type T } from "../copy";
import { staff, StaffCommandError } from "../ipc";

/** Minutes of a lockout from the error's detail ("900 s", "retry_after_secs=900", "15" minutes). */
export function lockMinutes(detail: string): number | null {
  const secs = /(\d+)\s*(?:s\b|sec|secs|seconds)|secs?\D{0,3}(\d+)/i.exec(detail);
  if (secs) return Math.max(1, Math.ceil(Number(secs[1] ?? secs[2]) / 60));
  const n = /(\d+)/.exec(detail);
  return n ? Math.max(1, Number(n[1])) : null;
}

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

export function SignIn(props: { signedOut: string | null }) {
  const [login, setLogin] = useState("");
  const [secret, setSecret] = useState("");
  const [target, setTarget] = useState<"login" | "secret">("secret");
  const [error, setError] = useState<{ text: T; next?: T; code: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const secretRef = useRef<HTMLInputElement>(null);

  const typeKey = (k: string) => {
    if (target === "login") setLogin(login + k);
    else setSecret(secret + k);
  };
  const backspace = () => (target === "login" ? setLogin(login.slice(0, -1)) : setSecret(secret.slice(0, -1)));
  const clear = () => (target === "login" ? setLogin("") : setSecret(""));

  const submit = async (e?: Event) => {
    e?.preventDefault();
    if (busy || login.trim() === "" || secret === "") return;
    setBusy(true);
    setError(null);
    try {
      await staff.signIn(login.trim(), secret);
    } catch (err) {
      const code = err instanceof StaffCommandError ? err.code : "unknown";
      const detail = err instanceof StaffCommandError ? err.detail : "";
      if (code === "sign_in_refused") setError({ code, text: c.signIn.refused, next: c.signIn.refusedNext });
      else if (code === "locked") setError({ code, text: c.signIn.locked(lockMinutes(detail)) });
      else setError({ code, text: c.errors(code, "staff_sign_in", detail) });
    } finally {
      // The secret never stays in the form, right or wrong.
      setSecret("");
      setBusy(false);
      setTarget("secret");
      secretRef.current?.focus();
    }
  };

  return (
    <section class="st-screen st-signin" data-screen="staff-sign-in">
      <form class="st-signin-form" autocomplete="off" onSubmit={(e) => void submit(e)}>
        <h1>
          <Bi t={c.signIn.title} />
        </h1>
        {props.signedOut ? (
          <p class="st-note" data-testid="signed-out" data-reason={props.signedOut}>
            <Bi t={c.signIn.signedOut(props.signedOut)} />
          </p>
        ) : null}
        <label class="st-label">
          <Bi t={c.signIn.login} inline />
          <input
            class={`st-input${target === "login" ? " st-input-target" : ""}`}
            data-testid="login"
            name="staff-login"
            type="text"
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            value={login}
            onFocus={() => setTarget("login")}
            onInput={(e) => setLogin((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="st-label">
          <Bi t={c.signIn.secret} inline />
          <input
            ref={secretRef}
            class={`st-input${target === "secret" ? " st-input-target" : ""}`}
            data-testid="secret"
            name="staff-secret"
            type="password"
            autocomplete="off"
            value={secret}
            onFocus={() => setTarget("secret")}
            onInput={(e) => setSecret((e.target as HTMLInputElement).value)}
          />
        </label>
        {error ? (
          <div class="st-error" role="alert" data-testid="sign-in-error" data-code={error.code}>
            <Bi t={error.text} />
            {error.next ? <Bi t={error.next} /> : null}
          </div>
        ) : null}
        <div class="st-row">
          <button type="submit" class="btn btn-primary st-btn-big" data-testid="sign-in" disabled={busy || login.trim() === "" || secret === ""}>
            <Bi t={c.signIn.submit} />
          </button>
          <button type="button" class="btn st-btn-big" data-testid="staff-close" onClick={() => void staff.close().catch(() => undefined)}>
            <Bi t={c.close} />
          </button>
        </div>
      </form>
      <div class="st-keypad" role="group" aria-label={`${c.signIn.keypad.ja} / ${c.signIn.keypad.en}`} data-testid="keypad">
        {KEYS.map((k) => (
          <button type="button" key={k} class="btn st-key" data-key={k} onClick={() => typeKey(k)}>
            {k}
          </button>
        ))}
        <button type="button" class="btn st-key st-key-word" data-key="clear" onClick={clear}>
          <Bi t={c.signIn.clear} />
        </button>
        <button type="button" class="btn st-key" data-key="0" onClick={() => typeKey("0")}>
          0
        </button>
        <button type="button" class="btn st-key st-key-word" data-key="back" onClick={backspace}>
          <Bi t={c.signIn.backspace} />
        </button>
      </div>
    </section>
  );
}
