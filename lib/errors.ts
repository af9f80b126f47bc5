/** Domain errors thrown by lib/; only app/ maps them to HTTP statuses (lib/http.ts). */
export class AppError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super(message, 422, details);
  }
}
export class NotFoundError extends AppError {
  constructor(message: string) {
    super(message, 404);
  }
}
export class ConflictError extends AppError {
  constructor(message: string) {
    super(message, 409);
  }
}
export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(message, 413);
  }
}
export class UnsupportedMediaError extends AppError {
  constructor(message: string) {
    super(message, 415);
  }
}
export class ModelNotReadyError extends AppError {
  constructor(message: string) {
    super(message, 409);
  }
}
