import type { Bus, CreateBusProps } from "./bus.js";
import { createMemoryBus } from "./memoryBus.js";
import { createNatsBus } from "./natsBus.js";

export type { Bus, BusMessage, ConsumeProps, Consumer, CreateBusProps, DeadLetter } from "./bus.js";

/** NATS JetStream when `natsUrl` is set, otherwise the in-process bus. */
export async function createBus(props: CreateBusProps): Promise<Bus> {
  if (props.natsUrl) return createNatsBus({ ...props, natsUrl: props.natsUrl });
  return createMemoryBus(props);
}
