import { onStoreNotice } from "../../secrets/notices.js";
import { colors, err, printEvent } from "../output.js";

/** Notices the store gives once (a new key to back up, a new store): a JSON event line with --json, else a line on stderr. */
export function showStoreNotices(json: boolean | undefined): void {
  onStoreNotice((notice) => {
    if (json) printEvent(notice.event, { where: notice.where, message: notice.text });
    else err(colors.yellow(notice.text));
  });
}
