import { existsSync } from "node:fs";
import PDFDocument from "pdfkit";

/** DejaVu Sans covers umlauts and ß (Debian's fonts-dejavu-core); pdfkit's built-in Helvetica is the fallback. */
const fontCandidates = [
  process.env.KONVERSA_PDF_FONT,
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
].filter((f): f is string => Boolean(f));
const boldCandidates = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
];

export interface PdfBlock {
  heading: string;
  lines: string[];
}

/** A plain A4 document of a title, a subtitle and headed blocks of lines. */
export async function renderPdf(props: {
  title: string;
  subtitle: string;
  blocks: PdfBlock[];
}): Promise<Buffer> {
  const doc = new PDFDocument({ size: "A4", margin: 50, info: { Title: props.title, Creator: "Konversa" } });
  const regular = fontCandidates.find((f) => existsSync(f));
  const bold = boldCandidates.find((f) => existsSync(f)) ?? regular;
  if (regular) doc.registerFont("body", regular);
  if (bold) doc.registerFont("heading", bold);
  const body = regular ? "body" : "Helvetica";
  const heading = bold ? "heading" : "Helvetica-Bold";
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  doc.font(heading).fontSize(18).text(props.title);
  doc.font(body).fontSize(10).fillColor("#555555").text(props.subtitle).fillColor("#000000");
  for (const block of props.blocks) {
    doc.moveDown(1);
    doc.font(heading).fontSize(13).text(block.heading);
    doc.moveDown(0.3);
    doc.font(body).fontSize(10);
    for (const line of block.lines) doc.text(line);
  }
  doc.end();
  return done;
}
