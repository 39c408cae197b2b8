import type { CustomerDirectory } from '../ports';

/**
 * The demo shop has no customer accounts: a user's address is `<user_id>@<domain>`, with a domain
 * that receives no mail (example.com, RFC 2606); locally the SES v2 stand-in keeps every email. A
 * real shop puts its customer service behind the same port.
 */
export class DemoCustomerDirectory implements CustomerDirectory {
  constructor(private readonly domain = 'example.com') {}

  async emailOf(userId: string): Promise<string> {
    return `${encodeURIComponent(userId)}@${this.domain}`;
  }
}
