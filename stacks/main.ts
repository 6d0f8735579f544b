// The cdktf app (cdktf.json "app"): synthesizes the stacks the environment asks for (stacks/app.ts).
import { synthApp } from "./app";

synthApp(process.env);
