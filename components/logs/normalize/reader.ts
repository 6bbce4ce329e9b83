import { Readable } from "node:stream";
import { forEachLine } from "../../../policy/engine/lines";
import { Carrier, expandRecord } from "./normalize";

/**
 * One Event read from an export (with the input line it starts on), or one part of the input that is not one.
 * `cluster`: the cluster the carrier names (EKS log group, GKE cluster_name, AKS resourceId, OTLP/ViaQ cluster), when it does.
 */
export type ReadItem =
    { lineNo: number; carrier: Carrier; line: string; event: Record<string, unknown>; cluster?: string } | { lineNo: number; error: string };

/**
 * The one reader behind `akko-audit normalize` and `policy simulate`. Reads JSON lines, each expanded by
 * expandRecord (any format it knows); when the first non-blank line is not JSON on its own but opens an
 * object or array, the input is read as one JSON document (pretty-printed `aws logs` output, an OTLP/JSON
 * file, a Logs Insights export) — held in memory, as a document must be. A document that does not parse is
 * read line by line after all, so each bad line is reported. Returns the bytes read.
 */
export async function readAuditEvents(input: Readable, onItem: (item: ReadItem) => void): Promise<number> {
    let lineNo = 0;
    let seenContent = false;
    let doc: string[] | undefined;
    let docStart = 0;
    const onLine = (line: string, n: number) => {
        const t = line.trim();
        if (t === "") return;
        let record: unknown;
        try {
            record = JSON.parse(t);
        } catch {
            return onItem({ lineNo: n, error: "not JSON" });
        }
        emit(record, line, n);
    };
    const emit = (record: unknown, text: string | undefined, n: number) => {
        for (const x of expandRecord(record, text)) onItem("error" in x ? { lineNo: n, error: x.error } : { lineNo: n, ...x });
    };
    const bytes = await forEachLine(input, (line) => {
        lineNo++;
        if (doc !== undefined) return void doc.push(line);
        const t = line.trim();
        if (t === "") return;
        if (!seenContent) {
            seenContent = true;
            if ((t.startsWith("{") || t.startsWith("[")) && !parses(t)) {
                doc = [line];
                docStart = lineNo;
                return;
            }
        }
        onLine(line, lineNo);
    });
    if (doc !== undefined) {
        let record: unknown;
        let whole = true;
        try {
            record = JSON.parse(doc.join("\n"));
        } catch {
            whole = false;
        }
        if (whole) emit(record, undefined, docStart);
        else doc.forEach((l, i) => onLine(l, docStart + i));
    }
    return bytes;
}
function parses(text: string): boolean {
    try {
        JSON.parse(text);
        return true;
    } catch {
        return false;
    }
}
