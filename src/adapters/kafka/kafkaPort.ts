import { kafkajsPort } from './kafkajsPort.js';
import { platformaticPort } from './platformaticPort.js';
import { DEFAULT_KAFKA_CLIENT, type KafkaPort, type KafkaPortOptions } from './port.js';

/** The Kafka port on the chosen client (KAFKA_CLIENT; @platformatic/kafka unless said otherwise). */
export const kafkaPort = (opts: KafkaPortOptions): KafkaPort => ((opts.kind ?? DEFAULT_KAFKA_CLIENT) === 'platformatic' ? platformaticPort(opts) : kafkajsPort(opts));
