"""Task schedules: cron expressions in a time zone, and what a scheduler does when a fire is due."""
