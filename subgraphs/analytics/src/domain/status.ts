/** Types and rules of the analytics subgraph live in domain/: no I/O here. */
export interface ServiceStatus {
  service: string;
  ready: boolean;
}

export const statusOf = (service: string): ServiceStatus => ({ service, ready: true });
