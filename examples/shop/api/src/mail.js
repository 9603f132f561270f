import nodemailer from "nodemailer";

// SMTP_URL carries host, port and (in production) the relay's credentials:
// smtp:// upgrades with STARTTLS when the server offers it, smtps:// is TLS
// from the start. Locally it is the sink, which needs neither.
export function mailer() {
  const url = process.env.SMTP_URL;
  if (!url) throw new Error("SMTP_URL is not set");
  // Short timeouts: nodemailer's defaults (minutes) would outlast the worker's liveness window.
  return nodemailer.createTransport(url, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
}

export async function sendConfirmation(transport, receipt) {
  const total = (receipt.total_cents / 100).toFixed(2);
  await transport.sendMail({
    from: process.env.MAIL_FROM,
    to: receipt.email,
    subject: `Your shop order #${receipt.order}`,
    text: `Thank you! Order #${receipt.order}: ${receipt.quantity} × ${receipt.product}, ${total} €.\nIt is on its way.\n`,
  });
}
