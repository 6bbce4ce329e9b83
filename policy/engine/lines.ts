import { Readable } from "node:stream";

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines without holding more than one chunk plus one partial line in memory.
 * Calls `onLine(text, byteLength)` for each line (without its newline, `\r` stripped); returns total bytes.
 */
export async function forEachLine(stream: Readable, onLine: (line: string, bytes: number) => void): Promise<number> {
    let total = 0;
    let carry: Buffer | null = null;
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
        const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        total += buf.length;
        let start = 0;
        let nl = buf.indexOf(NEWLINE, start);
        if (carry !== null && nl >= 0) {
            const joined: Buffer = Buffer.concat([carry, buf.subarray(0, nl)]);
            carry = null;
            emit(joined, 0, joined.length, onLine);
            start = nl + 1;
            nl = buf.indexOf(NEWLINE, start);
        }
        while (nl >= 0) {
            emit(buf, start, nl, onLine);
            start = nl + 1;
            nl = buf.indexOf(NEWLINE, start);
        }
        if (start < buf.length) {
            const rest = buf.subarray(start);
            carry = carry === null ? Buffer.from(rest) : Buffer.concat([carry, rest]);
        }
    }
    if (carry !== null && carry.length > 0) emit(carry, 0, carry.length, onLine);
    return total;
}

function emit(buf: Buffer, start: number, end: number, onLine: (line: string, bytes: number) => void): void {
    let e = end;
    if (e > start && buf[e - 1] === 0x0d) e--;
    onLine(buf.toString("utf8", start, e), end - start);
}
