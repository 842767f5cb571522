"""Pipeline stages: thin FastStream subscribers that decode an event, call `app`, publish the next one."""
