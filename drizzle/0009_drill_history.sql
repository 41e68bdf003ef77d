ALTER TABLE `drill_runs` ADD `function_outcomes` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `drills` ADD `retired_at` integer;