import { readFileSync } from "node:fs";
import * as ts from "typescript";

/**
 * Doc comments of the schema fields in one config source file: property name -> first comment found. The
 * comments in components/config/*.ts are the one description of each field; the reference reads them so the
 * docs cannot drift from the code.
 */
export function fieldComments(file: string): Map<string, string> {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    const out = new Map<string, string>();
    const visit = (node: ts.Node) => {
        if (
            (ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) &&
            (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))
        ) {
            const text = ts
                .getJSDocCommentsAndTags(node)
                .map((d) => (typeof d.comment === "string" ? d.comment : (ts.getTextOfJSDocComment(d.comment) ?? "")))
                .join(" ")
                .replace(/\s+/g, " ")
                .trim();
            if (text && !out.has(node.name.text)) out.set(node.name.text, text);
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return out;
}
