"""Data sources of Fetch New Data: folders on the server, HTTP(S) file URLs and index pages.

`changes` decides what is new from the remembered fetch state (pure); `folder`, `listing` and `http`
do the I/O of one kind each; `harvest` fetches one source into the blob store.
"""
