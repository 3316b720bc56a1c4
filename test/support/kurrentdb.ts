/** The KurrentDB image every place pins (docker-compose.yml, the GitHub workflow, the adapter test's container). */
export const KURRENTDB_IMAGE = 'kurrentplatform/kurrentdb:25.1.3';
