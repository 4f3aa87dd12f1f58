// placeholder, replaced by the QMP client
