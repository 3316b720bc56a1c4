import { DEFAULT_KAFKA_CLIENT, type KafkaPort, type KafkaPortOptions } from './port.js';

/**
 * The Kafka port on the chosen client (KAFKA_CLIENT; @platformatic/kafka unless said otherwise).
 * Its library is imported on the port's first use and the other one never: loaded for nothing, the
 * unused client held ~13 MiB (kafkajs) or ~46 MiB (@platformatic/kafka) of the service's memory.
 */
export const kafkaPort = (opts: KafkaPortOptions): KafkaPort => {
  const kind = opts.kind ?? DEFAULT_KAFKA_CLIENT;
  let loaded: Promise<KafkaPort> | null = null;
  const port = () =>
    (loaded ??=
      kind === 'platformatic'
        ? import('./platformaticPort.js').then((m) => m.platformaticPort(opts))
        : import('./kafkajsPort.js').then((m) => m.kafkajsPort(opts)));
  return {
    kind,
    ensureTopic: async (spec, log) => (await port()).ensureTopic(spec, log),
    probe: async () => (await port()).probe(),
    producer: async () => (await port()).producer(),
    runGroup: async (run) => (await port()).runGroup(run),
  };
};
