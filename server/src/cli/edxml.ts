import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { exportDispatch, importPackage } from '../modules/edxml/index.js';
import { asOperator } from './operator.js';

export function edxmlCommand(): Command {
  const cmd = new Command('edxml').description(
    'Gói edXML (QCVN 102): xuất một lần gửi, nhập một gói',
  );
  cmd
    .command('export <dispatchId>')
    .description('Xuất lần gửi văn bản thành gói edXML đã ký (ra stdout hoặc --out)')
    .option('--out <file>', 'ghi vào tệp thay vì stdout')
    .action((dispatchId: string, opts: { out?: string }) =>
      asOperator('edxml export', async (ctx, operator) => {
        const pkg = await exportDispatch(ctx, operator, dispatchId);
        if (opts.out) writeFileSync(opts.out, pkg.xml);
        else process.stdout.write(pkg.xml);
        process.stderr.write(`ký bởi: ${pkg.signedBy} (${pkg.signerSubject})\n`);
      }),
    );
  cmd
    .command('import <file>')
    .description('Nhập một gói edXML (kiểm tra chữ ký XML và chữ ký PDF bên trong)')
    .action((file: string) =>
      asOperator('edxml import', async (ctx, operator) => {
        let xml: string;
        try {
          xml = readFileSync(file, 'utf8');
        } catch (err) {
          throw Object.assign(new Error(`không đọc được ${file}: ${(err as Error).message}`), {
            code: 'FILE_UNREADABLE',
          });
        }
        const result = await importPackage(ctx, operator, xml);
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      }),
    );

  return cmd;
}
