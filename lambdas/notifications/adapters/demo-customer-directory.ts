import type { CustomerDirectory } from '../ports';

/**
 * The demo shop has no customer accounts: a user's address is `<user_id>@<domain>`, with a domain
 * that receives no mail in AWS (example.com, RFC 2606) or a local mail catcher. A real shop puts its
 * customer service behind the same port.
 */
export class DemoCustomerDirectory implements CustomerDirectory {
  constructor(private readonly domain = 'example.com') {}

  async emailOf(userId: string): Promise<string> {
    return `${encodeURIComponent(userId)}@${this.domain}`;
  }
}
