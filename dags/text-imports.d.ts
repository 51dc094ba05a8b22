// For the type checker: a DAG file may import text files (.sql, .txt, .md, .csv, .tsv, .yaml,
// .yml) as a string, their default export. Sluice bundles them with the DAG's code, so they reach
// workers that have no DAGs folder. Copy this file into your own DAGs repository to use them.
declare module '*.sql' {
  const text: string;
  export default text;
}
declare module '*.txt' {
  const text: string;
  export default text;
}
