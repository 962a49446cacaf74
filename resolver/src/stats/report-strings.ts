// The printable report's words, in Vietnamese and English. Category names follow
// lists/categories.ts; unknown (admin-invented) categories are shown by their own name.

export type ReportLang = 'vi' | 'en';
export const REPORT_LANGS: readonly ReportLang[] = ['vi', 'en'];

export interface ReportStrings {
  locale: string;
  title: string;
  /** the period, with the time zone its days are in */
  range: (from: string, to: string, zone: string) => string;
  /** why the days are UTC days (see report-data.ts UtcReason) */
  utcReason: Record<'mixed-zones' | 'beyond-hourly', string>;
  generatedAt: (when: string, zone: string) => string;
  /** a total that left out counts below k */
  atLeast: (n: string) => string;
  /** a total whose every count was below k */
  onlySmall: (k: number) => string;
  /** CSV: the header row */
  csvHeader: [string, string, string, string, string];
  /** CSV: the note on a total that left out counts below k */
  csvPartial: (k: number) => string;
  networks: string;
  allNetworks: string;
  blockedByCategory: string;
  category: string;
  blocked: string;
  total: string;
  trend: string;
  trendCaption: string;
  queries: string;
  measure: string;
  count: string;
  counters: Record<string, string>;
  suppression: (k: number) => string;
  privacy: string;
  hotline: string;
  categories: Record<string, string>;
}

const vi: ReportStrings = {
  locale: 'vi-VN',
  title: 'Báo cáo lọc nội dung bảo vệ trẻ em',
  range: (from, to, zone) => `Thời gian: từ ${from} đến ${to} (ngày theo giờ ${zone === 'Asia/Ho_Chi_Minh' ? 'Việt Nam, UTC+7' : zone})`,
  utcReason: {
    'mixed-zones': 'Các mạng trong báo cáo dùng múi giờ khác nhau nên ngày được tính theo giờ UTC.',
    'beyond-hourly': 'Khoảng thời gian này cũ hơn số liệu theo giờ được lưu giữ nên ngày được tính theo giờ UTC.',
  },
  generatedAt: (when, zone) => `Lập lúc: ${when} (${zone === 'Asia/Ho_Chi_Minh' ? 'giờ Việt Nam' : zone})`,
  atLeast: (n) => `ít nhất ${n}`,
  onlySmall: (k) => `dưới ${k} mỗi ngày`,
  csvHeader: ['ngày', 'chỉ số', 'danh mục', 'số lượng', 'ghi chú'],
  csvPartial: (k) => `chưa đủ: không cộng các ngày có dưới ${k}`,
  networks: 'Mạng',
  allNetworks: 'Tất cả các mạng',
  blockedByCategory: 'Truy vấn bị chặn theo danh mục',
  category: 'Danh mục',
  blocked: 'Bị chặn',
  total: 'Tổng',
  trend: 'Xu hướng truy vấn bị chặn theo ngày',
  trendCaption: 'Mỗi điểm là tổng số truy vấn bị chặn trong ngày; các số dưới ngưỡng bảo mật không được cộng vào.',
  queries: 'Lưu lượng truy vấn',
  measure: 'Chỉ số',
  count: 'Số lượng',
  counters: {
    total: 'Tổng số truy vấn',
    rewritten: 'Chuyển sang tìm kiếm an toàn',
    cache_hits: 'Trả lời từ bộ nhớ đệm',
    upstream_errors: 'Lỗi máy chủ phía trên',
    refused: 'Bị từ chối (REFUSED)',
  },
  suppression: (k) =>
    `Để bảo vệ quyền riêng tư, các số liệu nhỏ hơn ${k} được hiển thị là “<${k}”. Số 0 là không có truy vấn nào. Các tổng chỉ cộng những giá trị được hiển thị, vì vậy không thể suy ra số liệu bị ẩn bằng phép trừ; tổng ghi “ít nhất” đã bỏ qua các giá trị dưới ${k}.`,
  privacy: 'Báo cáo này không chứa dữ liệu cá nhân: không có địa chỉ thiết bị, không có lịch sử truy cập, chỉ có số đếm theo mạng, danh mục và ngày.',
  hotline: 'Nếu bạn lo ngại về sự an toàn của một trẻ em, hãy gọi Tổng đài quốc gia bảo vệ trẻ em 111 (miễn phí, 24/7).',
  categories: {
    adult: 'Nội dung người lớn', gambling: 'Cờ bạc', violence: 'Bạo lực', drugs: 'Ma túy', malware: 'Phần mềm độc hại',
    phishing: 'Giả mạo (phishing)', scams: 'Lừa đảo', social: 'Mạng xã hội', games: 'Trò chơi', streaming: 'Video trực tuyến',
    ads: 'Quảng cáo', bypass: 'Vượt bộ lọc (VPN, proxy)', custom: 'Tùy chỉnh', piracy: 'Vi phạm bản quyền', crypto: 'Tiền mã hóa',
    dating: 'Hẹn hò', weapons: 'Vũ khí', hate: 'Thù ghét', 'self-harm': 'Tự gây hại', vaping: 'Thuốc lá điện tử',
    _service: 'Ứng dụng và dịch vụ bị tắt',
    _policy: 'Quy tắc riêng của chính sách',
  },
};

const en: ReportStrings = {
  locale: 'en-GB',
  title: 'Child-protection filtering report',
  range: (from, to, zone) => `Period: ${from} to ${to} (days in ${zone === 'Asia/Ho_Chi_Minh' ? 'Vietnam time, UTC+7' : zone === 'UTC' ? 'UTC' : `${zone} time`})`,
  utcReason: {
    'mixed-zones': 'The networks in this report are in different time zones, so days are UTC days.',
    'beyond-hourly': 'This period is older than the hourly figures kept, so days are UTC days.',
  },
  generatedAt: (when, zone) => `Generated at: ${when} (${zone === 'Asia/Ho_Chi_Minh' ? 'Vietnam time' : zone})`,
  atLeast: (n) => `at least ${n}`,
  onlySmall: (k) => `under ${k} a day`,
  csvHeader: ['date', 'measure', 'category', 'count', 'note'],
  csvPartial: (k) => `partial: days under ${k} not added`,
  networks: 'Networks',
  allNetworks: 'All networks',
  blockedByCategory: 'Blocked queries by category',
  category: 'Category',
  blocked: 'Blocked',
  total: 'Total',
  trend: 'Blocked queries per day',
  trendCaption: 'Each point is the day’s blocked queries; counts under the privacy threshold are not added in.',
  queries: 'Query traffic',
  measure: 'Measure',
  count: 'Count',
  counters: {
    total: 'All queries',
    rewritten: 'Redirected to safe search',
    cache_hits: 'Answered from cache',
    upstream_errors: 'Upstream errors',
    refused: 'Refused (REFUSED)',
  },
  suppression: (k) =>
    `To protect privacy, counts below ${k} are shown as “<${k}”. A 0 means no query at all. Totals add up only the values shown, so a hidden count cannot be worked out by subtraction; a total reading “at least” left out counts under ${k}.`,
  privacy: 'This report holds no personal data: no device addresses, no browsing histories, only counts per network, category and day.',
  hotline: 'If you are worried about a child’s safety, call the national child protection hotline 111 (free, 24/7).',
  categories: {
    adult: 'Adult content', gambling: 'Gambling', violence: 'Violence', drugs: 'Drugs', malware: 'Malware',
    phishing: 'Phishing', scams: 'Scams', social: 'Social networks', games: 'Games', streaming: 'Streaming video',
    ads: 'Advertising', bypass: 'Filter bypass (VPN, proxy)', custom: 'Custom', piracy: 'Piracy', crypto: 'Cryptocurrency',
    dating: 'Dating', weapons: 'Weapons', hate: 'Hate', 'self-harm': 'Self-harm', vaping: 'Vaping',
    _service: 'Apps and services switched off',
    _policy: 'Policy’s own rules',
  },
};

export const REPORT_STRINGS: Record<ReportLang, ReportStrings> = { vi, en };
