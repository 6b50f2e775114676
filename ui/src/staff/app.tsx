// The staff window's frame: the sign-in form while nobody is signed in; otherwise the header
// (name, role, menu, sign-out), the chosen screen, the toast, the print confirmation and the
// idle warning. Deliberately not here: each screen's content (screens/), state (store.ts).

import { useEffect, useState } from "preact/hooks";
import { IdleWarning, Header, PrintConfirm, Toast } from "./components";
import { getState, listen, type StaffState } from "./store";
import { Calibration } from "./screens/Calibration";
import { Home } from "./screens/Home";
import { Queue } from "./screens/Queue";
import { Register } from "./screens/Register";
import { Registrations } from "./screens/Registrations";
import { SignIn } from "./screens/SignIn";
import { Technician } from "./screens/Technician";

function useStaffStore(): StaffState {
  const [state, setState] = useState(getState);
  useEffect(() => {
    const update = () => setState(getState());
    const stop = listen(update);
    update();
    return stop;
  }, []);
  return state;
}

function Current(props: { s: StaffState }) {
  const { s } = props;
  const session = s.session;
  if (!session) return null;
  const may = (v: string) =>
    ["register", "queue", "registrations"].includes(v) ? session.may_register : ["technician", "calibration"].includes(v) ? session.may_service : true;
  const view = may(s.view) ? s.view : "home";
  switch (view) {
    case "home":
      return <Home session={session} gate={s.gate} queued={s.queue.filter((q) => q.state === "waiting").length} />;
    case "register":
      return <Register state={s} />;
    case "registrations":
      return <Registrations registrations={s.registrations} queue={s.queue} />;
    case "queue":
      return <Queue queue={s.queue} />;
    case "technician":
      return <Technician state={s} />;
    case "calibration":
      return <Calibration calibration={s.calibration} analyzer={s.analyzer} gate={s.gate} scale={s.scale} />;
  }
}

export function StaffApp() {
  const s = useStaffStore();
  if (!s.session) {
    return (
      <div class="st-app st-no-print">
        <main class="st-main">
          <SignIn signedOut={s.signedOut} />
        </main>
        <Toast toast={s.toast} />
      </div>
    );
  }
  return (
    <>
      <div class="st-app st-no-print">
        <Header session={s.session} atHome={s.view === "home"} />
        <main class="st-main">
          <Current s={s} />
        </main>
        <Toast toast={s.toast} />
        <IdleWarning idle={s.idle} />
      </div>
      <PrintConfirm print={s.print} />
    </>
  );
}
