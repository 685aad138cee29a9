/**
 * Runs `run` every `everyMs` in this process, one run at a time: a tick that comes while the last
 * run is still busy is skipped, not queued. The timer does not keep the process alive; `stop`
 * waits for the run in hand.
 */
export function startRepeatingJob(props: {
  everyMs: number;
  run: () => Promise<unknown>;
  onError: (error: unknown) => void;
}) {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy) return running;
    busy = true;
    running = props
      .run()
      .catch(props.onError)
      .finally(() => {
        busy = false;
      });
    return running;
  };
  const timer = setInterval(tick, props.everyMs);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
