/** A request the server refuses: answered with `status` (4xx) and `{ error: message }`. */
export class ClientError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = "ClientError";
  }
}
