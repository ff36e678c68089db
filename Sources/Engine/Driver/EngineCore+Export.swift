// The driver's users (ccengine, the API, ccsim, ccbench) see the core's types through `import Engine`.
@_exported import EngineCore
