import nodemailer from "nodemailer";

export interface SmtpConnection {
  host: string;
  port: number;
  secure: boolean;
  username?: string | null;
  password?: string | null;
  fromAddress: string;
}

export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
}

/** Sends one e-mail through an organization's SMTP server; a failure throws with the server's reason. */
export async function sendMail(
  connection: SmtpConnection,
  mail: OutgoingMail,
): Promise<{ messageId: string }> {
  const transport = nodemailer.createTransport({
    host: connection.host,
    port: connection.port,
    secure: connection.secure,
    auth: connection.username ? { user: connection.username, pass: connection.password ?? "" } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    // Servers on the local network often present certificates of their own making.
    tls: { rejectUnauthorized: false },
  });
  try {
    const info = await transport.sendMail({ from: connection.fromAddress, ...mail, to: mail.to.join(", ") });
    return { messageId: info.messageId };
  } finally {
    transport.close();
  }
}
