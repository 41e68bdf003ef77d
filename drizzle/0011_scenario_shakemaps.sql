CREATE TABLE `scenario_shakemaps` (
	`scenario_id` integer PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`event` text NOT NULL,
	`lon_min` real NOT NULL,
	`lat_min` real NOT NULL,
	`lon_max` real NOT NULL,
	`lat_max` real NOT NULL,
	`nlon` integer NOT NULL,
	`nlat` integer NOT NULL,
	`pgv` text NOT NULL,
	`mmi` text,
	`bytes` integer NOT NULL,
	`attached_at` integer NOT NULL,
	`attached_by` text NOT NULL,
	FOREIGN KEY (`scenario_id`) REFERENCES `scenarios`(`id`) ON UPDATE no action ON DELETE cascade
);
