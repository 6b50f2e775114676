// The quiet line at the bottom: station, version, scale and server status (for staff; nothing
// personal). Deliberately not here: anything a participant must act on.

import type { Copy } from "../copy";
import type { KioskInfo, ScaleView, SyncView } from "../lib/ipc-types";

export function Footer(props: { copy: Copy; info: KioskInfo | null; scale: ScaleView | null; sync: SyncView | null }) {
  const { copy, info, scale, sync } = props;
  return (
    <footer class="footer">
      {info ? (
        <span>
          {copy.footer.station} {info.station} · v{info.version}
        </span>
      ) : null}
      {scale ? <span data-testid="footer-scale">{copy.footer.scale(scale.connected, scale.model)}</span> : null}
      {sync ? <span data-testid="footer-sync">{copy.footer.sync(sync.state, sync.backlog)}</span> : null}
    </footer>
  );
}
