// ml-xgboost ships no types; the benchmark narrows what it uses at the call site.
declare module 'ml-xgboost';
