/** Every upstream try failed, or the deadline passed first. */
export class UpstreamError extends Error {
  constructor(message: string) {
    super(message.startsWith('upstream:') ? message : `upstream: ${message}`);
    this.name = 'UpstreamError';
  }
}
