ALTER TABLE `assets` ADD `depends_on` text;--> statement-breakpoint
ALTER TABLE `incidents` ADD `cause_function_id` integer REFERENCES mission_functions(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `incidents` ADD `affected_asset_ids` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `incidents` ADD `children` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
-- Incidents written before correlation: an asset's incident affected that asset; a function's was caused by it.
UPDATE `incidents` SET `affected_asset_ids` = json_array(`asset_id`) WHERE `asset_id` IS NOT NULL;--> statement-breakpoint
UPDATE `incidents` SET `cause_function_id` = json_extract(`function_ids`, '$[0]') WHERE `asset_id` IS NULL AND json_array_length(`function_ids`) = 1;
