import type { Delivery } from "../api/types";
import { t, type Key } from "../i18n";
import { Icon } from "./Icon";

const SHOWN: Record<Delivery, string> = {
  queued: "", waiting: "", sent: "✓", delivered: "✓✓", read: "✓✓", played: "✓✓", failed: "!",
  held: "", cancelled: "✕",
};

/** WhatsApp's ticks: a clock while queued, one when sent, two when delivered, blue when read;
 * a clock on amber while held for the customer's return. */
export function DeliveryTicks({ delivery }: { delivery: Delivery }) {
  const label = t(`delivery.${delivery}` as Key);
  const waits = delivery === "queued" || delivery === "waiting" || delivery === "held";
  return (
    <span class={`ticks ticks-${delivery}`} data-delivery={delivery} role="img" aria-label={label}
          title={label}>
      {waits ? <Icon name="clock" /> : SHOWN[delivery]}
    </span>
  );
}
