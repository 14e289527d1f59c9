import type { Delivery } from "../api/types";
import { t, type Key } from "../i18n";
import { Icon } from "./Icon";

const SHOWN: Record<Delivery, string> = {
  queued: "", waiting: "", sent: "✓", delivered: "✓✓", read: "✓✓", played: "✓✓", failed: "!",
};

/** WhatsApp's ticks: a clock while queued, one when sent, two when delivered, blue when read. */
export function DeliveryTicks({ delivery }: { delivery: Delivery }) {
  const label = t(`delivery.${delivery}` as Key);
  return (
    <span class={`ticks ticks-${delivery}`} data-delivery={delivery} role="img" aria-label={label}
          title={label}>
      {delivery === "queued" || delivery === "waiting" ? <Icon name="clock" /> : SHOWN[delivery]}
    </span>
  );
}
