// The bundle's entry point (bundle.ts): runs the job and exits with its code. Kept apart from job.ts so that
// importing the job (tests, the CLI) does not start it.
import { main } from "./job";

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        process.stdout.write(
            JSON.stringify({ time: new Date().toISOString(), level: "error", event: "crash", message: (e as Error).message }) + "\n",
        );
        process.exit(1);
    },
);
