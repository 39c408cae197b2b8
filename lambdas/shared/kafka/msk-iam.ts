/**
 * MSK's IAM listener: TLS, and a SigV4-signed OAUTHBEARER token from the caller's AWS credentials.
 * The signer is loaded on the first connection, not at module init: it pulls in the SDK's credential
 * chain (~200 ms of cold start), which a client that never connects skips.
 */
export function mskIamAuth(region: string) {
  return {
    tls: {},
    sasl: {
      mechanism: 'OAUTHBEARER' as const,
      token: async () => {
        const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
        return (await generateAuthToken({ region })).token;
      },
    },
  };
}
