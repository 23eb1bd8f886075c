/**
 * How a long-running command stops: the first SIGTERM or SIGINT starts `stop`; a later one (Ctrl-C
 * typed twice, npm relaying the signal it got too, a container runtime's second notice) calls
 * `again` instead. Listeners stay installed for the whole stop: with none left, node's default
 * action would end the process halfway through writing what it buffers.
 */
export function onStopSignals(stop: () => void, again: () => void = () => {}): void {
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) return again();
    stopping = true;
    stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
