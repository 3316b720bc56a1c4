import { kafkajsPort } from './kafkajsPort.js';
import { platformaticPort } from './platformaticPort.js';
import type { KafkaPort, KafkaPortOptions } from './port.js';

/** The Kafka port on the chosen client (KAFKA_CLIENT; kafkajs unless said otherwise). */
export const kafkaPort = (opts: KafkaPortOptions): KafkaPort => (opts.kind === 'platformatic' ? platformaticPort(opts) : kafkajsPort(opts));
