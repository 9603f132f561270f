import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

// @peculiar/x509 speaks WebCrypto; Node has it built in.
x509.cryptoProvider.set(webcrypto as never);

type Key = webcrypto.CryptoKey;
type KeyPair = webcrypto.CryptoKeyPair;

const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface Pem {
  cert: string;
  key: string;
}

async function exportKey(key: Key): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

async function importKey(pem: string): Promise<Key> {
  return webcrypto.subtle.importKey("pkcs8", x509.PemConverter.decode(pem)[0] as ArrayBuffer, alg, true, ["sign"]);
}

const years = (n: number) => new Date(Date.now() + n * 365 * 24 * 3600 * 1000);

/** A private CA for the local ACME server's own HTTPS (the caBundle cert-manager trusts). */
export async function createCa(commonName: string): Promise<Pem> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as KeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Date.now().toString(16),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: years(10),
    signingAlgorithm: alg,
    keys: keys as never,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  return { cert: cert.toString("pem"), key: await exportKey(keys.privateKey) };
}

/** A server certificate for the given DNS names and IPs, signed by the CA. */
export async function issueServerCert(ca: Pem, dnsNames: string[], ips: string[]): Promise<Pem> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as KeyPair;
  const issuer = new x509.X509Certificate(ca.cert);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Date.now().toString(16),
    subject: `CN=${dnsNames[0] ?? "localhost"}`,
    issuer: issuer.subject,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: years(2),
    signingAlgorithm: alg,
    publicKey: keys.publicKey as never,
    signingKey: (await importKey(ca.key)) as never,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([...dnsNames.map((value) => ({ type: "dns" as const, value })), ...ips.map((value) => ({ type: "ip" as const, value }))]),
    ],
  });
  return { cert: cert.toString("pem"), key: await exportKey(keys.privateKey) };
}
