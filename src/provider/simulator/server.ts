// Starts the Message Batches simulator: a plain node:http server holding all state in memory.
import { createServer } from 'node:http';
import { rescheduleEnds } from './end-timers.ts';
import { copyFaults } from './faults-schema.ts';
import { sendError } from './http-io.ts';
import { activateNotify, stopNotifier } from './notify-state.ts';
import { handleRequest } from './router.ts';
import { createState } from './state.ts';
import { forgetBatch } from './store.ts';
import { snapshotStats } from './stats.ts';
import type { Simulator, SimulatorOptions } from './types.ts';

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = createState(options);
  const server = createServer((req, res) => {
    handleRequest(sim, req, res).catch((error: unknown) => {
      // A handler bug must answer like the API's own 500, not hang the client.
      const requestId = String(res.getHeader('request-id') ?? '');
      if (!res.headersSent) sendError({ req, res, requestId }, 500, 'api_error', `Simulator error: ${String(error)}`);
      else res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('simulator is not listening on a TCP port');
  const url = `http://${urlHost(host)}:${address.port}`;
  sim.origin = url;

  let closing: Promise<void> | null = null;
  return {
    url,
    port: address.port,
    close() {
      stopNotifier(sim.notifier);
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Idle keep-alive sockets (the SDK keeps some) would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
    stats: () => snapshotStats(sim.counters, sim.store.batches.size),
    *submitted() {
      for (const batch of sim.store.batches.values()) for (const r of batch.requests) yield { custom_id: r.customId, params: r.params };
    },
    setFaults(faults) {
      sim.faults = copyFaults(faults);
    },
    setProcessingMs(ms) {
      sim.processingMs = Math.max(0, ms);
      rescheduleEnds(sim);
    },
    setModelErrorRates(rates) {
      sim.modelErrorRates = { ...rates };
    },
    setNotify(n) {
      sim.notifier.active = activateNotify(n);
      rescheduleEnds(sim);
    },
    forgetBatch: (id) => forgetBatch(sim, id),
  };
}
