// pdfjs ships no types for its worker module; the extraction worker only hands it to pdfjs's fake worker.
declare module 'pdfjs-dist/legacy/build/pdf.worker.mjs' {
  export const WorkerMessageHandler: unknown;
}
