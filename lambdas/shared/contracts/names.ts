/** `billing_outcome` or `order-status` -> `BillingOutcome`, `OrderStatus`: construct ids and alarm names. */
export function pascal(name: string): string {
  return name.replace(/(?:^|[_-])([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** `orderApi` -> `order-api`: folder, service and client names. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
